"""The loyalty points domain: rules and entities, standard library only."""
