"""The codecs an evaluation measures, behind one interface (``base``), by name (``registry``):
aecodec itself (``learned``), Pillow's JPEG, WebP, AVIF and JPEG XL (``pillow``) and the PCA
transform baseline (``pca`` and its basis, header and tables; the fitted basis in ``data/``)."""
