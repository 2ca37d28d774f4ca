import Keras
print(Tensor([[0, 1], [1, 0]] as [[Float]]))
