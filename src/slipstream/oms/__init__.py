"""Order management: the one path (command → risk → journal → router → broker) and order state."""
