//! Keyset pagination. Ids are UUIDv7, so "after this id" is "created after this row",
//! stable while rows are added, and cheap on an index.

use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Return rows whose id sorts after this one.
    pub after: Option<Uuid>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The id to continue after, when more rows exist.
    pub next_after: Option<Uuid>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in id order: the extra row only
    /// tells that there is more.
    pub fn from_overfetch(mut items: Vec<T>, limit: u32, id_of: impl Fn(&T) -> Uuid) -> Self {
        let limit = limit as usize;
        let next_after = if items.len() > limit {
            items.truncate(limit);
            items.last().map(&id_of)
        } else {
            None
        };
        Page { items, next_after }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_after: self.next_after }
    }
}

impl PageRequest {
    /// Rows to fetch: one more than asked, to learn whether another page exists.
    pub fn fetch_limit(&self) -> i64 {
        i64::from(self.limit) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overfetch_sets_the_next_cursor() {
        let ids: Vec<Uuid> = (1..=3).map(Uuid::from_u128).collect();
        let page = Page::from_overfetch(ids.clone(), 2, |u| *u);
        assert_eq!(page.items, ids[..2]);
        assert_eq!(page.next_after, Some(ids[1]));
        let last = Page::from_overfetch(ids.clone(), 3, |u| *u);
        assert_eq!(last.next_after, None);
    }
}
