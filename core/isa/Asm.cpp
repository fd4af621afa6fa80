//===- Asm.cpp - Assembler and disassembler for Tessera NPU programs ------===//
//
// Instruction lines use formatInstr/parseInstr (Isa.cpp), so their syntax
// follows the field tables; this file adds the queue prefix, the program
// directives, quoting and line numbers.
//
//===----------------------------------------------------------------------===//
#include "core/isa/Asm.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace tessera::isa;
using llvm::StringRef;

namespace {

llvm::Error makeError(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

constexpr size_t kDataBytesPerLine = 32;

std::string quote(StringRef s) {
  std::string out = "\"";
  llvm::raw_string_ostream os(out);
  // Escapes '\' as "\\" and '"' and non-printable bytes as "\XX" (hex).
  llvm::printEscapedString(s, os);
  os << '"';
  return out;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string hex(uint64_t v) { return "0x" + llvm::utohexstr(v, true); }

std::string doubleText(double v) {
  // 17 significant digits reproduce every double exactly through strtod.
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.17g", v);
  return s;
}

std::string tensorLine(const char *dir, const TensorDesc &t) {
  return std::string(dir) + " name=" + quote(t.name) +
         " dtype=" + dtypeName(t.dtype) + " shape=" + shapeText(t.shape) +
         " scale=" + doubleText(t.scale) +
         " zp=" + std::to_string(t.zeroPoint) + " offset=" + hex(t.dramOffset) +
         " layout=" + layoutName(t.layout);
}

} // namespace

std::string tessera::isa::disassemble(const Program &p,
                                      const DisasmOptions &opts) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << "; Tessera NPU program (.npubin version " << kNpubinVersion << ")\n";
  os << ".target " << p.target << "\n";
  os << ".sram_bytes " << hex(p.sramBytes) << "\n";
  os << ".dram_bytes " << hex(p.dramBytes) << "\n";
  if (p.flags)
    os << ".flags " << hex(p.flags) << "\n";
  for (size_t i = 0; i < p.layers.size(); ++i) {
    const LayerInfo &l = p.layers[i];
    os << ".layer " << i << " name=" << quote(l.name)
       << " op=" << quote(l.opType) << " macs=" << l.macs
       << " shape=" << shapeText(l.outputShape) << "\n";
  }
  for (const TensorDesc &t : p.inputs)
    os << tensorLine(".input", t) << "\n";
  for (const TensorDesc &t : p.outputs)
    os << tensorLine(".output", t) << "\n";
  for (const ConstSymbol &s : p.symbols)
    os << ".const name=" << quote(s.name) << " offset=" << hex(s.offset)
       << " size=" << s.size << "\n";
  if (opts.data) {
    for (size_t at = 0; at < p.constants.size(); at += kDataBytesPerLine) {
      size_t n = std::min(kDataBytesPerLine, p.constants.size() - at);
      os << ".data " << hex(at) << " "
         << llvm::toHex(llvm::ArrayRef(p.constants).slice(at, n), true) << "\n";
    }
  } else if (!p.constants.empty()) {
    os << "; .data omitted: " << p.constants.size() << " bytes\n";
  }
  for (size_t i = 0; i < p.hostSegments.size(); ++i) {
    const HostSegment &seg = p.hostSegments[i];
    os << ".host_segment " << i << " name=" << quote(seg.name)
       << " flops=" << seg.flops << " bytes=" << seg.bytes << "\n";
    for (const std::string &n : seg.nodes)
      os << ".host_node " << i << " name=" << quote(n) << "\n";
    for (const TensorDesc &t : seg.inputs)
      os << tensorLine((".host_input " + std::to_string(i)).c_str(), t) << "\n";
    for (const TensorDesc &t : seg.outputs)
      os << tensorLine((".host_output " + std::to_string(i)).c_str(), t)
         << "\n";
    if (opts.data) {
      for (size_t at = 0; at < seg.program.size(); at += kDataBytesPerLine) {
        size_t n = std::min(kDataBytesPerLine, seg.program.size() - at);
        os << ".host_program " << i << " "
           << llvm::toHex(llvm::ArrayRef(seg.program).slice(at, n), true)
           << "\n";
      }
    } else {
      os << "; .host_program omitted: " << seg.program.size() << " bytes\n";
    }
  }
  for (unsigned q = 0; q < kNumQueues; ++q) {
    os << "; " << queueName(Queue(q)) << " queue: " << p.code[q].size()
       << " instructions\n";
    for (const Instr &in : p.code[q])
      os << queueName(Queue(q)) << " " << formatInstr(in) << "\n";
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Assembler
//===----------------------------------------------------------------------===//

namespace {

/// One whitespace-separated word; `value` is unquoted when it was quoted.
struct Word {
  std::string text; // the word as written, for instruction lines
  std::string key;  // before '=', or the whole word
  std::string value;
  bool hasValue = false;
};

/// Splits a line into words, honouring "quoted strings" with \\ and \XX
/// escapes, and dropping a ';' comment.
llvm::Expected<llvm::SmallVector<Word, 32>> lex(StringRef line) {
  llvm::SmallVector<Word, 32> words;
  size_t i = 0, n = line.size();
  while (true) {
    while (i < n && llvm::isSpace(line[i]))
      ++i;
    if (i == n || line[i] == ';')
      break;
    Word w;
    bool inValue = false;
    while (i < n && !llvm::isSpace(line[i]) && line[i] != ';') {
      char c = line[i];
      if (c == '=' && !inValue) {
        inValue = w.hasValue = true;
        w.text += c;
        ++i;
        continue;
      }
      if (c == '"') {
        size_t start = i++;
        std::string s;
        bool closed = false;
        while (i < n) {
          char d = line[i++];
          if (d == '"') {
            closed = true;
            break;
          }
          if (d != '\\') {
            s += d;
            continue;
          }
          if (i < n && line[i] == '\\') {
            s += '\\';
            ++i;
          } else if (i + 1 < n && llvm::isHexDigit(line[i]) &&
                     llvm::isHexDigit(line[i + 1])) {
            s += static_cast<char>(llvm::hexFromNibbles(line[i], line[i + 1]));
            i += 2;
          } else {
            return makeError("bad escape in string at column " +
                             llvm::Twine(i));
          }
        }
        if (!closed)
          return makeError("unterminated string starting at column " +
                           llvm::Twine(start + 1));
        w.text += line.slice(start, i).str();
        (inValue ? w.value : w.key) += s;
        continue;
      }
      w.text += c;
      (inValue ? w.value : w.key) += c;
      ++i;
    }
    words.push_back(std::move(w));
  }
  return words;
}

/// key=value attributes of a directive, each allowed key at most once.
class Attrs {
public:
  static llvm::Expected<Attrs> parse(llvm::ArrayRef<Word> words,
                                     llvm::ArrayRef<const char *> allowed,
                                     StringRef directive) {
    Attrs a;
    a.directive = directive.str();
    for (const Word &w : words) {
      if (!w.hasValue)
        return makeError(directive + ": expected key=value, got '" + w.text +
                         "'");
      if (!llvm::is_contained(allowed, StringRef(w.key)))
        return makeError(directive + ": unknown field '" + w.key + "'");
      if (!a.values.try_emplace(w.key, w.value).second)
        return makeError(directive + ": duplicate field '" + w.key + "'");
    }
    for (const char *k : allowed)
      if (!a.values.count(k))
        return makeError(directive + ": missing field '" + k + "'");
    return a;
  }
  StringRef str(StringRef key) const {
    auto it = values.find(key);
    return it == values.end() ? StringRef() : StringRef(it->second);
  }

  template <typename T> llvm::Expected<T> integer(StringRef key) const {
    T v;
    if (str(key).getAsInteger(0, v))
      return fail(key, "expected an integer that fits, got '" + str(key) + "'");
    return v;
  }
  llvm::Expected<double> real(StringRef key) const {
    double v;
    if (str(key).getAsDouble(v))
      return fail(key, "expected a number, got '" + str(key) + "'");
    return v;
  }
  llvm::Expected<std::vector<int64_t>> shape(StringRef key) const {
    StringRef s = str(key);
    if (!s.consume_front("[") || !s.consume_back("]"))
      return fail(key, "expected [d0,d1,...], got '" + str(key) + "'");
    std::vector<int64_t> dims;
    if (s.empty())
      return dims;
    llvm::SmallVector<StringRef, 8> parts;
    s.split(parts, ',');
    for (StringRef part : parts) {
      int64_t d;
      if (part.getAsInteger(10, d))
        return fail(key, "bad dimension '" + part + "'");
      dims.push_back(d);
    }
    return dims;
  }
  llvm::Expected<DType> dtype(StringRef key) const {
    if (auto t = parseDType(str(key)))
      return *t;
    return fail(key,
                "unknown dtype '" + str(key) + "' (int8, uint8, int16, int32)");
  }
  llvm::Error fail(StringRef key, const llvm::Twine &msg) const {
    return makeError(directive + ": field '" + key + "': " + msg);
  }

private:
  std::string directive;
  llvm::StringMap<std::string> values;
};

llvm::Expected<TensorDesc> parseTensor(llvm::ArrayRef<Word> words,
                                       StringRef directive) {
  auto attrs = Attrs::parse(
      words, {"name", "dtype", "shape", "scale", "zp", "offset", "layout"},
      directive);
  if (!attrs)
    return attrs.takeError();
  TensorDesc t;
  t.name = attrs->str("name").str();
  auto dtype = attrs->dtype("dtype");
  auto shape = attrs->shape("shape");
  auto scale = attrs->real("scale");
  auto zp = attrs->integer<int32_t>("zp");
  auto offset = attrs->integer<uint64_t>("offset");
  if (!dtype)
    return dtype.takeError();
  if (!shape)
    return shape.takeError();
  if (!scale)
    return scale.takeError();
  if (!zp)
    return zp.takeError();
  if (!offset)
    return offset.takeError();
  auto layout = parseLayout(attrs->str("layout"));
  if (!layout)
    return attrs->fail("layout", "unknown layout '" + attrs->str("layout") +
                                     "' (nhwc, row_major)");
  t.dtype = *dtype;
  t.shape = std::move(*shape);
  t.scale = *scale;
  t.zeroPoint = *zp;
  t.dramOffset = *offset;
  t.layout = *layout;
  return t;
}

/// Parses the program text; `lines[q][i]` receives each instruction's line.
class Assembler {
public:
  llvm::Error run(StringRef text) {
    llvm::SmallVector<StringRef, 0> rawLines;
    text.split(rawLines, '\n');
    for (size_t i = 0; i < rawLines.size(); ++i)
      if (auto err = line(rawLines[i].rtrim("\r"), i + 1))
        return makeError("line " + llvm::Twine(i + 1) + ": " +
                         llvm::toString(std::move(err)));
    for (const char *d : {".target", ".sram_bytes", ".dram_bytes"})
      if (!seen.count(d))
        return makeError(llvm::Twine("missing directive ") + d);
    return verifyProgram(prog, [&](Queue q, size_t i) {
      return " (line " + std::to_string(lines[size_t(q)][i]) + ")";
    });
  }

  Program prog;

private:
  llvm::Error once(StringRef d) {
    if (!seen.insert(d).second)
      return makeError(d + ": repeated directive");
    return llvm::Error::success();
  }

  llvm::Error line(StringRef text, size_t number) {
    auto lexed = lex(text);
    if (!lexed)
      return lexed.takeError();
    llvm::ArrayRef<Word> w = *lexed;
    if (w.empty())
      return llvm::Error::success();
    StringRef head = w[0].text;
    llvm::ArrayRef<Word> rest = w.drop_front();

    if (std::optional<Queue> q = parseQueue(head)) {
      // Re-join the words: parseInstr splits on spaces and knows no quotes.
      std::string body;
      for (const Word &x : rest)
        body += x.text + " ";
      llvm::Expected<Instr> in = parseInstr(body);
      if (!in)
        return in.takeError();
      if (!queueAllows(*q, in->op))
        return makeError(llvm::Twine(opcodeName(in->op)) +
                         " is not allowed in the " + queueName(*q) + " queue");
      if (auto err = verify(*in))
        return err;
      prog.code[size_t(*q)].push_back(std::move(*in));
      lines[size_t(*q)].push_back(number);
      return llvm::Error::success();
    }

    if (head == ".target" || head == ".sram_bytes" || head == ".dram_bytes" ||
        head == ".flags") {
      if (auto err = once(head))
        return err;
      if (rest.size() != 1 || rest[0].hasValue)
        return makeError(head + ": expected one value");
      StringRef v = rest[0].key;
      if (head == ".target") {
        prog.target = v.str();
        return llvm::Error::success();
      }
      uint64_t n;
      if (v.getAsInteger(0, n))
        return makeError(head + ": expected an integer, got '" + v + "'");
      if (head == ".sram_bytes")
        prog.sramBytes = n;
      else if (head == ".dram_bytes")
        prog.dramBytes = n;
      else if (n > UINT32_MAX)
        return makeError(".flags: value does not fit 32 bits");
      else
        prog.flags = static_cast<uint32_t>(n);
      return llvm::Error::success();
    }

    if (head == ".layer") {
      size_t index;
      if (rest.empty() || rest[0].hasValue ||
          StringRef(rest[0].key).getAsInteger(10, index) ||
          index != prog.layers.size())
        return makeError(".layer: expected index " +
                         llvm::Twine(prog.layers.size()) +
                         " (layers are numbered in order)");
      auto attrs = Attrs::parse(rest.drop_front(),
                                {"name", "op", "macs", "shape"}, ".layer");
      if (!attrs)
        return attrs.takeError();
      LayerInfo l;
      l.name = attrs->str("name").str();
      l.opType = attrs->str("op").str();
      auto macs = attrs->integer<uint64_t>("macs");
      if (!macs)
        return macs.takeError();
      auto shape = attrs->shape("shape");
      if (!shape)
        return shape.takeError();
      l.macs = *macs;
      l.outputShape = std::move(*shape);
      prog.layers.push_back(std::move(l));
      return llvm::Error::success();
    }

    if (head == ".input" || head == ".output") {
      auto t = parseTensor(rest, head);
      if (!t)
        return t.takeError();
      (head == ".input" ? prog.inputs : prog.outputs).push_back(std::move(*t));
      return llvm::Error::success();
    }

    if (head == ".const") {
      auto attrs = Attrs::parse(rest, {"name", "offset", "size"}, ".const");
      if (!attrs)
        return attrs.takeError();
      auto offset = attrs->integer<uint64_t>("offset");
      if (!offset)
        return offset.takeError();
      auto size = attrs->integer<uint64_t>("size");
      if (!size)
        return size.takeError();
      prog.symbols.push_back({attrs->str("name").str(), *offset, *size});
      return llvm::Error::success();
    }

    if (head == ".data") {
      uint64_t offset;
      if (rest.size() != 2 || rest[0].hasValue || rest[1].hasValue ||
          StringRef(rest[0].key).getAsInteger(0, offset))
        return makeError(".data: expected '.data <offset> <hex bytes>'");
      if (offset != prog.constants.size())
        return makeError(".data: offset " + hex(offset) +
                         " does not continue the image (next is " +
                         hex(prog.constants.size()) + ")");
      std::string bytes;
      if (!llvm::tryGetFromHex(rest[1].key, bytes) || rest[1].key.size() % 2)
        return makeError(".data: '" + rest[1].key +
                         "' is not an even number of hex digits");
      prog.constants.insert(prog.constants.end(), bytes.begin(), bytes.end());
      return llvm::Error::success();
    }

    if (head.starts_with(".host_")) {
      size_t index;
      bool isNew = head == ".host_segment";
      if (!isNew && prog.hostSegments.empty())
        return makeError(head + ": no .host_segment before it");
      size_t want = isNew ? prog.hostSegments.size()
                          : prog.hostSegments.size() - 1;
      if (rest.empty() || rest[0].hasValue ||
          StringRef(rest[0].key).getAsInteger(10, index) || index != want)
        return makeError(head + ": expected segment index " +
                         llvm::Twine(want) +
                         (isNew ? " (segments are numbered in order)"
                                : " (the last .host_segment)"));
      llvm::ArrayRef<Word> args = rest.drop_front();
      if (isNew) {
        auto attrs =
            Attrs::parse(args, {"name", "flops", "bytes"}, ".host_segment");
        if (!attrs)
          return attrs.takeError();
        HostSegment seg;
        seg.name = attrs->str("name").str();
        auto flops = attrs->integer<uint64_t>("flops");
        if (!flops)
          return flops.takeError();
        auto bytes = attrs->integer<uint64_t>("bytes");
        if (!bytes)
          return bytes.takeError();
        seg.flops = *flops;
        seg.bytes = *bytes;
        prog.hostSegments.push_back(std::move(seg));
        return llvm::Error::success();
      }
      HostSegment &seg = prog.hostSegments.back();
      if (head == ".host_node") {
        auto attrs = Attrs::parse(args, {"name"}, ".host_node");
        if (!attrs)
          return attrs.takeError();
        seg.nodes.push_back(attrs->str("name").str());
        return llvm::Error::success();
      }
      if (head == ".host_input" || head == ".host_output") {
        auto t = parseTensor(args, head);
        if (!t)
          return t.takeError();
        (head == ".host_input" ? seg.inputs : seg.outputs)
            .push_back(std::move(*t));
        return llvm::Error::success();
      }
      if (head == ".host_program") {
        std::string bytes;
        if (args.size() != 1 || args[0].hasValue ||
            !llvm::tryGetFromHex(args[0].key, bytes) ||
            args[0].key.size() % 2)
          return makeError(
              ".host_program: expected '.host_program <index> <hex bytes>'");
        seg.program.insert(seg.program.end(), bytes.begin(), bytes.end());
        return llvm::Error::success();
      }
    }

    return makeError("unknown directive or queue '" + head +
                     "' (expected load, compute, store or .directive)");
  }

  llvm::StringSet<> seen;
  std::array<std::vector<size_t>, kNumQueues> lines;
};

} // namespace

llvm::Expected<Program> tessera::isa::assemble(StringRef text) {
  Assembler a;
  if (auto err = a.run(text))
    return std::move(err);
  return std::move(a.prog);
}
