"""The model releases, torch-free: the registry of frozen weights by model id (``registry``), the
weights file's layout (``file``), and the shipped weights files and model card in this folder."""
