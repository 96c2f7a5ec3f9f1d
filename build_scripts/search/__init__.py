"""Search: the edition's Korean/Chinese index, written over a built site."""
