"""Tools beside the product, run by people: campaigns and generators, not the ward's calendar."""
