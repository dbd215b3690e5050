package fixedflate

// dynamicFinalHeader is the low three bits of the first byte of a stream
// whose first block is final (BFINAL = 1) and coded with dynamic Huffman
// codes (BTYPE = 10).
const dynamicFinalHeader = 0b101

// inflateDynamic decompresses a stream whose first block is final and
// dynamic. For now it uses the general decoder.
func inflateDynamic(src, dict []byte, max int) ([]byte, error) {
	return decompressFlate(src, dict, max)
}
