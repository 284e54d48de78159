"""The built-in maps: one folder each. Installed, this folder is the package ``histmap.maps``
(see pyproject.toml), so the maps ship inside the wheel; ``histmap.loader.data_root`` finds it."""
