DROP TABLE account_forwards;
DROP TABLE customer_profiles;
DROP TABLE customer_identifiers;
