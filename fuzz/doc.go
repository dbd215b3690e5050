// Package fuzz holds the differential fuzz targets of the codec against
// other implementations: pion/sdp for SDP text, pion/ice for candidates
// (SPEC.md §3.4, §11). The targets are in fuzz_test.go; run them with
//
//	go test -run XXX -fuzz FuzzDifferential -fuzztime 5m -parallel 1 ./fuzz/
//
// README.md lists the intended divergences the oracle allows for.
package fuzz
