"""ID numbers (GB 11643), unified social credit codes, ID card data and the facts derived."""
