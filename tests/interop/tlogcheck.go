// tlogcheck checks a running accord log with code accord does not share:
// Go's golang.org/x/mod/sumdb/note (signed notes) and sumdb/tlog (RFC
// 6962/9162 hashing, tiles, inclusion and consistency proofs), the
// implementation the C2SP tlog-checkpoint and tlog-tiles specifications
// grew out of. Only the entry bundle framing (C2SP tlog-tiles, not in
// sumdb) is parsed here by hand.
//
// usage: tlogcheck BASE_URL VKEY
//
// It verifies the checkpoint's signature with VKEY, rebuilds the tree hash
// from the served hash tiles, hashes every entry of the entry bundles
// against the level-0 tiles, and checks the JSON inclusion and consistency
// proofs against the signed root. Exit status 0 when all hold, 1 otherwise.
package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

const tileHeight = 8 // C2SP tlog-tiles: 256 hashes per full tile

var base string

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "tlogcheck: "+format+"\n", args...)
	os.Exit(1)
}

func get(path string) []byte {
	resp, err := http.Get(base + path)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fail("GET %s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		fail("GET %s: status %d: %s", path, resp.StatusCode, body)
	}
	return body
}

// C2SP paths carry no tile height: sumdb's "tile/8/L/N" is "tile/L/N".
func c2spPath(t tlog.Tile) string {
	return "/log/" + strings.Replace(t.Path(), fmt.Sprintf("tile/%d/", tileHeight), "tile/", 1)
}

type tileReader struct{}

func (tileReader) Height() int { return tileHeight }

func (tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		data[i] = get(c2spPath(t))
	}
	return data, nil
}

func (tileReader) SaveTiles([]tlog.Tile, [][]byte) {}

// The signed checkpoint: origin, size, root (C2SP tlog-checkpoint).
func checkpoint(vkey string) (string, tlog.Tree) {
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		fail("verifier key: %v", err)
	}
	msg := get("/log/checkpoint")
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		fail("checkpoint signature: %v", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		fail("checkpoint body: want origin, size and root lines, got %q", n.Text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		fail("checkpoint size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		fail("checkpoint root %q", lines[2])
	}
	var tree tlog.Tree
	tree.N = size
	copy(tree.Hash[:], root)
	return lines[0], tree
}

// Every entry of the bundles hashes to its level-0 tile hash.
func checkEntries(tree tlog.Tree, hashes tlog.HashReader) {
	for start := int64(0); start < tree.N; start += 1 << tileHeight {
		width := tree.N - start
		if width > 1<<tileHeight {
			width = 1 << tileHeight
		}
		// An entry bundle has the path of the level-0 tile it hashes to.
		t := tlog.Tile{H: tileHeight, L: 0, N: start >> tileHeight, W: int(width)}
		path := strings.Replace(c2spPath(t), "/tile/0/", "/tile/entries/", 1)
		bundle := get(path)
		for i := int64(0); i < width; i++ {
			if len(bundle) < 2 {
				fail("%s: bundle ends before entry %d", path, start+i)
			}
			n := int(binary.BigEndian.Uint16(bundle))
			if len(bundle) < 2+n {
				fail("%s: entry %d is cut short", path, start+i)
			}
			want, err := hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, start+i)})
			if err != nil {
				fail("leaf hash %d: %v", start+i, err)
			}
			if tlog.RecordHash(bundle[2:2+n]) != want[0] {
				fail("entry %d does not hash to its leaf in the tiles", start+i)
			}
			bundle = bundle[2+n:]
		}
		if len(bundle) != 0 {
			fail("%s: %d bytes after the last entry", path, len(bundle))
		}
	}
}

func decodeHashes(list []string) []tlog.Hash {
	out := make([]tlog.Hash, len(list))
	for i, s := range list {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			fail("proof hash %q", s)
		}
		copy(out[i][:], b)
	}
	return out
}

func getJSON(path string, v interface{}) {
	if err := json.Unmarshal(get(path), v); err != nil {
		fail("GET %s: %v", path, err)
	}
}

// The JSON inclusion proof of every entry checks against the signed root.
func checkInclusion(tree tlog.Tree, hashes tlog.HashReader) {
	for i := int64(0); i < tree.N; i++ {
		var p struct{ Proof []string }
		getJSON(fmt.Sprintf("/api/v1/log/proof/inclusion?index=%d&size=%d", i, tree.N), &p)
		leaf, err := hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
		if err != nil {
			fail("leaf hash %d: %v", i, err)
		}
		if err := tlog.CheckRecord(decodeHashes(p.Proof), tree.N, tree.Hash, i, leaf[0]); err != nil {
			fail("inclusion proof of %d in %d: %v", i, tree.N, err)
		}
	}
}

// The JSON consistency proof from every smaller size checks against the
// signed root and the old root rebuilt from the tiles.
func checkConsistency(tree tlog.Tree, hashes tlog.HashReader) {
	for m := int64(1); m < tree.N; m++ {
		var p struct{ Proof []string }
		getJSON(fmt.Sprintf("/api/v1/log/proof/consistency?old=%d&new=%d", m, tree.N), &p)
		old, err := tlog.TreeHash(m, hashes)
		if err != nil {
			fail("tree hash at %d: %v", m, err)
		}
		if err := tlog.CheckTree(decodeHashes(p.Proof), tree.N, tree.Hash, m, old); err != nil {
			fail("consistency proof %d -> %d: %v", m, tree.N, err)
		}
	}
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: tlogcheck BASE_URL VKEY")
		os.Exit(2)
	}
	base = strings.TrimRight(os.Args[1], "/")
	origin, tree := checkpoint(os.Args[2])
	hashes := tlog.TileHashReader(tree, tileReader{})
	root, err := tlog.TreeHash(tree.N, hashes)
	if err != nil {
		fail("tree hash from the tiles: %v", err)
	}
	if root != tree.Hash {
		fail("the tiles give root %v, the checkpoint %v", root, tree.Hash)
	}
	checkEntries(tree, hashes)
	checkInclusion(tree, hashes)
	checkConsistency(tree, hashes)
	fmt.Printf("OK: %s, %d entries, root %v: signature, tiles, entries, %d inclusion and %d consistency proofs\n",
		origin, tree.N, tree.Hash, tree.N, tree.N-1)
}
