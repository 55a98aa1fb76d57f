"""Credit records (信用记录): registration and import, display windows, the two documents
delivered together (两书同达) and the watch that ends display and tells entities they may apply."""
