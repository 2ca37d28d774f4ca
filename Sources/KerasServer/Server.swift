import Hummingbird
import Keras
