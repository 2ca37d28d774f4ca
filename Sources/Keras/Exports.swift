@_exported import KerasTensor
