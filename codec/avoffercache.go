package codec

import (
	"sync"
	"unsafe"
)

// What coding an answer against its offer's skeleton needs besides the
// skeleton (AVFORM §3): the index of each part (a base of the answer's
// parts), the ids of its lines the registry lacks, and the text item's
// dictionary. All depend on the skeleton only; they are made once per
// skeleton and kept for the few most recent ones, since an application
// decodes an offer once and then encodes (or a Decoder decodes) answers to
// it. The skeleton is identified by its storage: skeleton parts are never
// changed once built, and an entry keeps its skeleton's storage alive so
// that no other skeleton can take its address while it is cached.

// offerDerived is the index and dictionary of one offer skeleton.
type offerDerived struct {
	parts [][]string
	bases []baseIndex
	ids   map[string]int32 // the ids of the registry's lines and the skeleton's (interner.known)
	table *lineTable       // ids, for interner
	dict  []byte
	text  []byte // the skeleton text and accepted extensions text, dict's end (avDictBase() ‖ text is the dictionary)
}

// offerCacheSize is the number of offer skeletons whose index and
// dictionary are kept.
const offerCacheSize = 4

var offerCache struct {
	sync.Mutex
	list []*offerDerived // most recent first
}

// sameSkeleton reports whether a and b are the same skeleton storage.
func sameSkeleton(a, b [][]string) bool {
	return len(a) == len(b) && unsafe.SliceData(a) == unsafe.SliceData(b)
}

// derivedFor returns the index and dictionary of the offer skeleton
// offer (not nil).
func derivedFor(offer [][]string) *offerDerived {
	offerCache.Lock()
	for i, d := range offerCache.list {
		if sameSkeleton(d.parts, offer) {
			copy(offerCache.list[1:i+1], offerCache.list[:i])
			offerCache.list[0] = d
			offerCache.Unlock()
			return d
		}
	}
	offerCache.Unlock()
	tail := offerDictTail(offer)
	d := &offerDerived{parts: offer, dict: makeAVDict(tail), bases: make([]baseIndex, len(offer))}
	d.text = d.dict[len(d.dict)-len(tail):]
	in := newInterner(profileIndex())
	for k, p := range offer {
		d.bases[k] = newBaseIndex(in.ids(nil, p))
		d.bases[k].setBlocks(p)
	}
	d.ids = make(map[string]int32, len(in.known)+in.extra.n)
	for l, id := range in.known {
		d.ids[l] = id
	}
	for _, s := range in.extra.slots {
		if s.id1 != 0 {
			d.ids[s.line] = s.id1 - 1
		}
	}
	d.table = newLineTable(d.ids)
	offerCache.Lock()
	if len(offerCache.list) < offerCacheSize {
		offerCache.list = append(offerCache.list, nil)
	}
	copy(offerCache.list[1:], offerCache.list)
	offerCache.list[0] = d
	offerCache.Unlock()
	return d
}

// offerCodes keeps the models of the few offer codes most recently checked
// by checkOfferCode (valid offers only; a model is not changed once
// decoded), so that encoding answers to one offer decodes it once.
var offerCodes offerMemoList

// offerMemoList is a short list of offer codes and their models, most
// recent first.
type offerMemoList struct {
	sync.Mutex
	codes  []string
	models []*model
}

// find returns the model of code, or nil.
func (l *offerMemoList) find(code []byte) *model {
	l.Lock()
	defer l.Unlock()
	for i, c := range l.codes {
		if c == string(code) {
			m := l.models[i]
			copy(l.codes[1:i+1], l.codes[:i])
			copy(l.models[1:i+1], l.models[:i])
			l.codes[0], l.models[0] = c, m
			return m
		}
	}
	return nil
}

// add puts code and its model first, dropping the oldest beyond
// offerCacheSize.
func (l *offerMemoList) add(code []byte, m *model) {
	l.Lock()
	defer l.Unlock()
	if len(l.codes) < offerCacheSize {
		l.codes, l.models = append(l.codes, ""), append(l.models, nil)
	}
	copy(l.codes[1:], l.codes)
	copy(l.models[1:], l.models)
	l.codes[0], l.models[0] = string(code), m
}
