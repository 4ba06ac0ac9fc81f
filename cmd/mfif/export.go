package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mfif/mfif/nets/export"
)

func init() { extraCommands = append(extraCommands, (*app).exportCmd) }

func (a *app) exportCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "export CHECKPOINT --out FILE [--force]",
		Short: "Write the weights of a checkpoint as a PyTorch state_dict",
		Long: `Write the weights of an mfif checkpoint (a siamese, fusiondiff or ddfm-prior
run's best.ckpt or last.ckpt) to FILE as a PyTorch state_dict in torch.save's
format, for torch.load and load_state_dict(strict=True). The network is
rebuilt from the checkpoint and its weights are checked first; when the
checkpoint holds an exponential moving average of the weights (train.ema),
the average is exported, as inference uses it.

  siamese     loads into SiameseNet of docs/pytorch/siamese_ref.py built from
              the checkpoint's model config (BatchNorm counters are added)
  fusiondiff  loads into the reference NoisePred built with the checkpoint's
              model values (notes say when they differ from mfif's network)
  ddfm-prior  loads into guided-diffusion's UNetModel of its configuration

docs/checkpoints.md describes the checkpoint format and how to load the
export. The file is written atomically; an existing FILE is replaced only
with --force. Prints the path and the number of tensors written.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runExport(args[0]) },
	}
	f := cmd.Flags()
	f.String("out", "", "state_dict file to write (e.g. model.pt)")
	f.Bool("force", false, "replace --out if it exists")
	return cmd
}

func (a *app) runExport(ckpt string) error {
	out := a.v.GetString("export.out")
	if err := required(map[string]string{"--out": out}); err != nil {
		return err
	}
	if _, err := os.Stat(ckpt); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if fi, err := os.Stat(out); err == nil {
		switch {
		case fi.IsDir():
			return fmt.Errorf("export --out %s: is a folder, want a file name", out)
		case !a.v.GetBool("export.force"):
			return fmt.Errorf("export --out %s: file exists (pass --force to replace it)", out)
		}
	}
	if _, err := a.initBackend(); err != nil {
		return err
	}
	// The lock is the folder's: one writer of a folder at a time.
	unlock, err := lockOut("export --out", filepath.Dir(out))
	if err != nil {
		return err
	}
	defer unlock()
	r, err := export.File(ckpt, out)
	if err != nil {
		return err
	}
	weights := "weights"
	if r.EMA {
		weights = "EMA weights"
	}
	for _, n := range r.Notes {
		fmt.Fprintf(a.stderr, "mfif export: note: %s\n", n)
	}
	fmt.Fprintf(a.stdout, "%s\t%d tensors (%s %s)\n", out, r.Tensors, r.Kind, weights)
	return nil
}
