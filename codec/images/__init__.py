"""Image I/O, torch-free: what the API accepts (``arrays``), sources loaded with nothing lost
without a word (``source``), the colour and alpha planes (``planes``), metadata that travels
(``metadata``), the Pillow plugin and PSNR (``distortion``)."""
