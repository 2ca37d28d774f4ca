import Foundation
import Keras

/// Keras' "bidirectional LSTM on IMDB" example: movie reviews as word indices (the 20 000 most
/// frequent words), padded to 200, Embedding(20000, 128) → two Bidirectional LSTM(64) →
/// Dense(1, sigmoid), 2 epochs. Reads `imdb.npz` from the Keras cache (`~/.keras/datasets`):
/// on a machine with Python Keras, `python3 -c "import keras; keras.datasets.imdb.load_data()"`
/// puts it there, or download https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz into it.
enum IMDBSentimentExample {
    static func run(epochs: Int = 2) throws {
        let file = Datasets.cacheDirectory.appendingPathComponent("imdb.npz")
        guard FileManager.default.fileExists(atPath: file.path) else {
            print("""
                The IMDB reviews are not in the Keras cache (\(file.path)). To get them:
                  python3 -c "import keras; keras.datasets.imdb.load_data()"
                or download https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz to that path.
                """)
            return
        }
        Keras.setRandomSeed(3)
        let (train, test) = try Datasets.imdb(options: .init(numWords: 20_000))
        let xTrain = try padSequences(train.x, maxLength: 200), xTest = try padSequences(test.x, maxLength: 200)
        print("\(xTrain.shape[0]) training and \(xTest.shape[0]) test reviews, padded to 200 words")
        let model = Sequential([
            Embedding(20_000, 128, inputShape: [200]),
            try Bidirectional(LSTM(64, returnSequences: true)),
            try Bidirectional(LSTM(64)),
            Dense(units: 1, activation: .sigmoid),
        ])
        try model.compile(optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"])
        model.summary()
        try model.fit(xTrain, train.y, epochs: epochs, batchSize: 32, validationData: (xTest, test.y))
    }
}
