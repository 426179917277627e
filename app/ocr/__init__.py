"""Reading the text of a forwarded image (a phone screenshot) so it can be checked as text.

An adapter-side concern: the API, the web form and the Zalo worker read an image here,
then hand its text to the one check pipeline like a pasted message. Nothing here is kept:
images live in memory for the length of one reading.
"""
