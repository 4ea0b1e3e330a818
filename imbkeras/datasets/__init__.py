"""Datasets as ``(x, y)`` arrays: images ``(n, h, w, c)`` / volumes ``(n, d, h, w, c)``."""

from imbkeras.datasets._digits import load_digits, stratified_split
from imbkeras.datasets._hpa import HPA_CLASSES, HPALoader, load_hpa
from imbkeras.datasets._image_folder import ImageLoader, load_image_folder, read_image
from imbkeras.datasets._mnist import load_mnist
from imbkeras.datasets._cifar10 import CLASSES as CIFAR10_CLASSES, load_cifar10, read_cifar_batch
from imbkeras.datasets._subtomograms import load_subtomograms, read_mrc
from imbkeras.datasets._particles import MODES, load_particles, particle_inputs

__all__ = ["HPA_CLASSES", "HPALoader", "load_hpa", "MODES", "ImageLoader", "load_particles", "particle_inputs", "load_digits", "load_image_folder", "load_mnist", "CIFAR10_CLASSES", "load_cifar10", "read_cifar_batch", "read_image",
           "stratified_split", "load_subtomograms", "read_mrc"]
