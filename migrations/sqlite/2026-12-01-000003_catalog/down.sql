DROP TABLE offering_prices;
DROP TABLE offerings;
DROP TABLE reference_prices;
