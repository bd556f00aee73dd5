/// The padding methods of ISO/IEC 9797-1:2011 §6.3.
public enum ISO9797Padding: Int, Sendable, CaseIterable {
    /// Method 1: the fewest zero bytes that reach a whole block; empty data becomes one zero block.
    case method1 = 1
    /// Method 2: one 0x80 byte, then the fewest zero bytes that reach a whole block (ISO 7816-4, EMV).
    case method2 = 2
    /// Method 3: a block holding the data's length in bits (big-endian) prepended to the data
    /// padded by method 1 (so empty data still adds one zero block, as psec does).
    case method3 = 3

    /// Pads `data` to a multiple of `blockSize` bytes.
    public func pad(_ data: [UInt8], blockSize: Int) -> [UInt8] {
        switch self {
        case .method1:
            if data.isEmpty { return [UInt8](repeating: 0, count: blockSize) }
            return data + [UInt8](repeating: 0, count: (blockSize - data.count % blockSize) % blockSize)
        case .method2:
            let withMarker = data + [0x80]
            return withMarker + [UInt8](repeating: 0, count: (blockSize - withMarker.count % blockSize) % blockSize)
        case .method3:
            var lengthBlock = [UInt8](repeating: 0, count: blockSize - 8)
            Bytes.append(UInt64(data.count) &* 8, to: &lengthBlock)
            return lengthBlock + ISO9797Padding.method1.pad(data, blockSize: blockSize)
        }
    }
}
