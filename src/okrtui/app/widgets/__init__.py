"""Widgets by the area of the screen they serve; they render what they are given and open no store."""
