// Package configs embeds mfif's default YAML configurations and decodes
// configuration files strictly: a key the target struct does not know is an
// error that names the key, so a typo never silently falls back to a default.
package configs

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed *.yaml
var embedded embed.FS

// Names lists the embedded configurations (file names without ".yaml").
func Names() []string {
	entries, _ := embedded.ReadDir(".")
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
		}
	}
	sort.Strings(out)
	return out
}

// MaxFileSize bounds a configuration file read from disk.
const MaxFileSize = 16 << 20

// Read returns the bytes of a configuration named either by an embedded name
// ("siamese-cpu") or by a path to a YAML file on disk. A path that exists
// wins over an embedded name. Only regular files of at most MaxFileSize
// bytes are read, so a device or pipe named by mistake cannot block or
// fill memory.
func Read(nameOrPath string) ([]byte, error) {
	if b, err := readFile(nameOrPath); err == nil {
		return b, nil
	} else if strings.ContainsRune(nameOrPath, filepath.Separator) || strings.HasSuffix(nameOrPath, ".yaml") {
		return nil, fmt.Errorf("config %s: %w", nameOrPath, err)
	}
	b, err := embedded.ReadFile(nameOrPath + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("config %q: no such file and no embedded config of that name (have %s)",
			nameOrPath, strings.Join(Names(), ", "))
	}
	return b, nil
}

// readFile reads a regular file of at most MaxFileSize bytes.
func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	if st.Size() > MaxFileSize {
		return nil, fmt.Errorf("%d bytes, more than the %d a config may have", st.Size(), MaxFileSize)
	}
	return os.ReadFile(path)
}

// Load reads a configuration (see Read), applies dotted-key overrides such
// as {"model.dca": false, "train.epochs": 3}, and decodes the result strictly
// into out (a pointer to a struct with yaml tags).
func Load(nameOrPath string, overrides map[string]any, out any) error {
	b, err := Read(nameOrPath)
	if err != nil {
		return err
	}
	if err := Decode(b, overrides, out); err != nil {
		return fmt.Errorf("config %s: %w", nameOrPath, err)
	}
	return nil
}

// Decode applies overrides to the YAML document b and decodes it strictly
// into out. Unknown keys, in the document or in the overrides, are errors
// naming the key.
func Decode(b []byte, overrides map[string]any, out any) error {
	tree := map[string]any{}
	if err := yaml.Unmarshal(b, &tree); err != nil {
		return fmt.Errorf("parse yaml: %w", err)
	}
	if tree == nil {
		tree = map[string]any{}
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := Set(tree, k, overrides[k]); err != nil {
			return err
		}
	}
	merged, err := yaml.Marshal(tree)
	if err != nil {
		return fmt.Errorf("re-encode yaml: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(merged))
	dec.KnownFields(true)
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode: %w", nameKeys(err, merged))
	}
	return nil
}

// nameKeys rewrites the "line N: ..." messages of a yaml.TypeError (whose
// lines refer to the merged document, not the user's file) as "key a.b.c:
// ...", so a wrong type names its setting.
func nameKeys(err error, doc []byte) error {
	te, ok := err.(*yaml.TypeError)
	if !ok {
		return err
	}
	var root yaml.Node
	if yaml.Unmarshal(doc, &root) != nil {
		return err
	}
	keys := map[int]string{}
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, path)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if path != "" {
					k = path + "." + k
				}
				keys[n.Content[i].Line] = k
				if n.Content[i+1].Line != n.Content[i].Line {
					keys[n.Content[i+1].Line] = k
				}
				walk(n.Content[i+1], k)
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				if _, seen := keys[c.Line]; !seen {
					keys[c.Line] = path
				}
				walk(c, path)
			}
		}
	}
	walk(&root, "")
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		msgs[i] = m
		var line int
		if _, e := fmt.Sscanf(m, "line %d:", &line); e == nil {
			if k, ok := keys[line]; ok {
				msgs[i] = "key " + k + ":" + strings.SplitN(m, ":", 2)[1]
			}
		}
	}
	return &yaml.TypeError{Errors: msgs}
}

// Set stores value at the dotted path key ("train.lr") inside tree,
// creating intermediate maps as needed.
func Set(tree map[string]any, key string, value any) error {
	parts := strings.Split(key, ".")
	node := tree
	for i, p := range parts[:len(parts)-1] {
		next, ok := node[p]
		if !ok || next == nil {
			m := map[string]any{}
			node[p] = m
			node = m
			continue
		}
		m, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("override %q: %q is not a section", key, strings.Join(parts[:i+1], "."))
		}
		node = m
	}
	node[parts[len(parts)-1]] = value
	return nil
}
