package detflate

import _ "embed"

// SDPDictionary is the preset dictionary for the residual SDP text of
// audio/video session descriptions: typical lines emitted by browsers
// (Chrome, Firefox, Safari) and common media servers, LF line endings,
// pure ASCII, at most 8192 bytes, with the most frequent material at the
// end (where DEFLATE distances are shortest). It is part of the format:
// changing it changes the compressed output.
//
//go:embed sdp_dict.txt
var SDPDictionary []byte
