"""The layers of a frame, bottom up: ground, areas, linework, symbols, places, panel, time bar."""
