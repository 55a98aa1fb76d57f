"""Credit repair (信用修复): applications, materials, the one-time notice, review, decision
and the sync to the national credit site."""
