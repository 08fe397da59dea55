//! Wasm backtraces: the WebAssembly call stack a trap (or a host error) happened in.

use std::fmt;
use std::sync::Arc;

/// At most this many frames are kept in a backtrace (the innermost ones); deeper frames are
/// only counted ([`WasmBacktrace::omitted_frames`]). A runaway recursion that exhausts the
/// call stack would otherwise make a backtrace of up to the call depth limit (100 000 frames
/// by default).
pub const MAX_BACKTRACE_FRAMES: usize = 1000;

/// One WebAssembly function activation in a [`WasmBacktrace`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameInfo {
    pub(crate) func_index: u32,
    pub(crate) func_name: Option<Arc<str>>,
    pub(crate) module_name: Option<Arc<str>>,
    pub(crate) module_offset: Option<usize>,
    pub(crate) func_offset: Option<usize>,
}

impl FrameInfo {
    /// The function's index in its module's function index space (imported functions first),
    /// as in `(call N)` and in the `name` section.
    pub fn func_index(&self) -> u32 {
        self.func_index
    }

    /// The function's name from the module's `name` custom section, if it has one there.
    ///
    /// Export names are not used in its place: a function may have several exports or none,
    /// and the `name` section is what toolchains emit for debugging (`wat` keeps `$names`,
    /// compilers emit it unless the binary is stripped).
    pub fn func_name(&self) -> Option<&str> {
        self.func_name.as_deref()
    }

    /// The module's name from its `name` section (`(module $name ...)` in WAT), if it has one.
    pub fn module_name(&self) -> Option<&str> {
        self.module_name.as_deref()
    }

    /// The byte offset, in the module binary, of the instruction this frame stands at: the
    /// instruction that trapped for the innermost frame, the call for the frames below it (a
    /// call to a host function for the innermost frame of a host error). For an interrupt
    /// noticed by a backward branch it is the first instruction of the loop, where execution
    /// would have resumed. This is the offset tools such as `wasm-objdump -d` and
    /// `wasm-tools print --print-offsets` show.
    ///
    /// `None` only if the translator recorded no offset for the op (an engine bug).
    pub fn module_offset(&self) -> Option<usize> {
        self.module_offset
    }

    /// The same position relative to the start of the function's body (after its size field).
    pub fn func_offset(&self) -> Option<usize> {
        self.func_offset
    }
}

impl fmt::Display for FrameInfo {
    /// `0x2a - module!name`: the module offset, then the module name (`<unknown>` if it has
    /// none) and the function name (`<wasm function N>` if it has none).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.module_offset {
            Some(offset) => write!(f, "{offset:>#6x} - ")?,
            None => f.write_str("     ? - ")?,
        }
        f.write_str(self.module_name.as_deref().unwrap_or("<unknown>"))?;
        match &self.func_name {
            Some(name) => write!(f, "!{name}"),
            None => write!(f, "!<wasm function {}>", self.func_index),
        }
    }
}

/// The WebAssembly frames that were on the call stack when a trap or host error happened,
/// innermost first ([`Error::trace`](crate::Error::trace)).
///
/// Only wasm frames are listed: when wasm calls a host function that calls wasm again, the
/// frames of both wasm activations are here and the host function between them is not.
///
/// Its `Display` prints one numbered line per frame:
///
/// ```text
///     0:   0x2e - <unknown>!div
///     1:   0x38 - <unknown>!middle
///     2:   0x41 - <unknown>!<wasm function 0>
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WasmBacktrace {
    pub(crate) frames: Vec<FrameInfo>,
    pub(crate) omitted: usize,
}

impl WasmBacktrace {
    /// The frames, innermost first.
    pub fn frames(&self) -> &[FrameInfo] {
        &self.frames
    }

    /// Whether there are no frames (the error did not happen in wasm code).
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty() && self.omitted == 0
    }

    /// How many outer frames were left out beyond [`MAX_BACKTRACE_FRAMES`].
    pub fn omitted_frames(&self) -> usize {
        self.omitted
    }

    /// Appends a frame (an outer one), or counts it as omitted past the limit.
    pub(crate) fn push(&mut self, frame: impl FnOnce() -> FrameInfo) {
        if self.frames.len() < MAX_BACKTRACE_FRAMES {
            self.frames.push(frame());
        } else {
            self.omitted += 1;
        }
    }
}

impl fmt::Display for WasmBacktrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, frame) in self.frames.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{i:>5}: {frame}")?;
        }
        if self.omitted > 0 {
            write!(f, "\n       ... {} more frames", self.omitted)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(index: u32, name: Option<&str>, offset: Option<usize>) -> FrameInfo {
        FrameInfo {
            func_index: index,
            func_name: name.map(Arc::from),
            module_name: None,
            module_offset: offset,
            func_offset: None,
        }
    }

    #[test]
    fn display_numbers_frames_and_names_the_nameless() {
        let trace = WasmBacktrace {
            frames: vec![
                frame(2, Some("div"), Some(0x2e)),
                frame(0, None, Some(0x141)),
                frame(1, None, None),
            ],
            omitted: 0,
        };
        assert_eq!(
            trace.to_string(),
            "    0:   0x2e - <unknown>!div\n    1:  0x141 - <unknown>!<wasm function 0>\n    2:      ? - <unknown>!<wasm function 1>"
        );
    }

    #[test]
    fn frames_past_the_limit_are_counted() {
        let mut trace = WasmBacktrace::default();
        for i in 0..MAX_BACKTRACE_FRAMES + 5 {
            trace.push(|| frame(i as u32, None, Some(1)));
        }
        assert_eq!(trace.frames().len(), MAX_BACKTRACE_FRAMES);
        assert_eq!(trace.omitted_frames(), 5);
        assert!(trace.to_string().ends_with("... 5 more frames"));
    }
}
