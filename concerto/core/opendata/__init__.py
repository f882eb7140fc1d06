"""The open-data portal (/donnees/) and its DCAT-AP catalogue: the datasets the kernel and the component
manifests declare (registry.OpenDataset), written to files by the worker, served with ETag and Last-Modified."""
