// savestate.cpp: state_dict files PyTorch can read, written by libtorch's
// own torch.save-format serializer instead of a hand-made pickle writer.
//
// It is torch::jit::pickle_save's recipe (a Pickler, then the pickle and the
// tensors into a zip archive) with one difference: the Pickler does not tag
// aggregates. A tagged dict is pickled as
// torch.jit._pickle.restore_type_tag(dict, "Dict[str, Tensor]"), and that
// global is not on the allow-list of torch.load(weights_only=True), the
// default since PyTorch 2.6: such a file only loads with weights_only=False.
// Untagged, the file holds a plain dict of tensors, which every PyTorch
// loads as it is.
#include "savestate.h"

#include <ATen/core/Dict.h>
#include <ATen/core/ivalue.h>
#include <caffe2/serialize/inline_container.h>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <torch/csrc/jit/serialization/export.h>
#include <torch/csrc/jit/serialization/pickle.h>
#include <torch/csrc/jit/serialization/pickler.h>
#include <vector>

static char *mfif_strdup(const std::string &s) {
  char *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (p != nullptr) {
    std::memcpy(p, s.c_str(), s.size() + 1);
  }
  return p;
}

extern "C" {

char *mfif_pickle_state_dict(const char **names, void **tensors, int n,
                             char **out, size_t *out_len) {
  try {
    c10::Dict<std::string, at::Tensor> dict;
    for (int i = 0; i < n; ++i) {
      const at::Tensor &t = *static_cast<at::Tensor *>(tensors[i]);
      dict.insert(names[i], t.detach().to(at::kCPU).contiguous().clone());
    }
    std::vector<char> pickle;
    torch::jit::Pickler pickler(
        [&](const char *buf, size_t size) { pickle.insert(pickle.end(), buf, buf + size); },
        nullptr, nullptr, nullptr, nullptr, /*tag_aggregates=*/false);
    pickler.protocol();
    pickler.pushIValue(c10::IValue(dict));
    pickler.stop();
    std::vector<char> bytes;
    {
      caffe2::serialize::PyTorchStreamWriter writer([&](const void *p, size_t len) {
        const char *b = static_cast<const char *>(p);
        bytes.insert(bytes.end(), b, b + len);
        return len;
      });
      torch::jit::writeArchiveAndTensors("data", pickle.data(), pickle.size(), pickler.tensorData(), writer);
    } // the writer's destructor writes the end of the archive
    char *buf = static_cast<char *>(std::malloc(bytes.size() ? bytes.size() : 1));
    if (buf == nullptr) {
      return mfif_strdup("out of memory");
    }
    std::memcpy(buf, bytes.data(), bytes.size());
    *out = buf;
    *out_len = bytes.size();
    return nullptr;
  } catch (const std::exception &e) {
    return mfif_strdup(e.what());
  }
}

char *mfif_unpickle_count(const char *data, size_t len, int *count) {
  try {
    std::vector<char> bytes(data, data + len);
    c10::IValue v = torch::jit::pickle_load(bytes);
    if (!v.isGenericDict()) {
      return mfif_strdup("top-level object is " + v.tagKind() + ", not a dict");
    }
    int n = 0;
    for (const auto &item : v.toGenericDict()) {
      if (!item.key().isString() || !item.value().isTensor()) {
        return mfif_strdup("dict entry is not a (str, Tensor) pair");
      }
      ++n;
    }
    *count = n;
    return nullptr;
  } catch (const std::exception &e) {
    return mfif_strdup(e.what());
  }
}

} // extern "C"
