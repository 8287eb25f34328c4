// The dashboard's entry module (pages follow in the next commits).
