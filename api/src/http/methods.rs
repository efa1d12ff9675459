//! 405 for a method a path lacks: which methods each path template of the OpenAPI document
//! has, so the fallback service can answer `405` with `Allow` instead of `404` (RFC 9110
//! §15.5.6). Built from the served document, which comes from the same route registration.

/// The path templates and their methods.
#[derive(Debug, Default)]
pub struct PathMethods {
    templates: Vec<(Vec<Segment>, Vec<String>)>,
}

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Parameter,
}

impl PathMethods {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let mut templates = Vec::new();
        for (path, item) in &spec.paths.paths {
            let segments = segments_of(path);
            let mut methods: Vec<String> = Vec::new();
            let named = [
                ("GET", item.get.is_some()),
                ("PUT", item.put.is_some()),
                ("POST", item.post.is_some()),
                ("DELETE", item.delete.is_some()),
                ("PATCH", item.patch.is_some()),
                ("OPTIONS", item.options.is_some()),
                ("HEAD", item.head.is_some()),
                ("TRACE", item.trace.is_some()),
            ];
            for (method, present) in named {
                if present {
                    methods.push(method.to_owned());
                }
            }
            templates.push((segments, methods));
        }
        PathMethods { templates }
    }

    /// The methods `path` has when `method` is not among them: what a 405 answers in `Allow`.
    /// `None` when the method is allowed or no template matches (a 404, or a route's own error).
    pub fn refused(&self, path: &str, method: &str) -> Option<&[String]> {
        self.allowed(path).filter(|allowed| !allowed.iter().any(|m| m == method))
    }

    /// The methods of the template that matches `path`, the most specific one when several
    /// do (a literal segment beats a parameter, as in the route registration); `None` when
    /// no template matches.
    pub fn allowed(&self, path: &str) -> Option<&[String]> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut best: Option<(Vec<bool>, &[String])> = None;
        for (segments, methods) in &self.templates {
            if segments.len() != parts.len() {
                continue;
            }
            let matches = segments.iter().zip(&parts).all(|(segment, part)| match segment {
                Segment::Literal(literal) => literal == part,
                Segment::Parameter => !part.is_empty(),
            });
            if !matches {
                continue;
            }
            let specificity: Vec<bool> = segments.iter().map(|s| matches!(s, Segment::Literal(_))).collect();
            if best.as_ref().is_none_or(|(known, _)| specificity > *known) {
                best = Some((specificity, methods));
            }
        }
        best.map(|(_, methods)| methods)
    }
}

/// A path template's segments: `{name}` is a parameter, anything else a literal.
fn segments_of(template: &str) -> Vec<Segment> {
    template
        .split('/')
        .map(
            |s| {
                if s.starts_with('{') && s.ends_with('}') { Segment::Parameter } else { Segment::Literal(s.to_owned()) }
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(paths: &[(&str, &[&str])]) -> PathMethods {
        PathMethods {
            templates: paths
                .iter()
                .map(|(path, methods)| (segments_of(path), methods.iter().map(|m| (*m).to_owned()).collect()))
                .collect(),
        }
    }

    #[test]
    fn the_most_specific_template_decides() {
        let t = table(&[
            ("/v1/things/{id}", &["GET"]),
            ("/v1/things/preview", &["POST"]),
            ("/v1/things", &["GET", "POST"]),
        ]);
        assert_eq!(t.allowed("/v1/things/preview").unwrap(), ["POST"]);
        assert_eq!(t.allowed("/v1/things/abc").unwrap(), ["GET"]);
        assert_eq!(t.allowed("/v1/things").unwrap(), ["GET", "POST"]);
        assert!(t.allowed("/v1/things/abc/more").is_none());
        assert!(t.allowed("/v1/things/").is_none());
        assert_eq!(t.refused("/v1/things/preview", "GET").unwrap(), ["POST"]);
        assert!(t.refused("/v1/things/preview", "POST").is_none(), "an allowed method is not refused");
        assert!(t.refused("/v1/nothing", "GET").is_none(), "an unknown path is a 404, not a 405");
    }
}
