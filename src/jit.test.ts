import { describe, expect, it } from 'vitest';
import { JIT_FLAGS, jitFlagsToApply } from './jit.ts';

describe('jit flags', () => {
  it('sets the inlining budget unless told not to', () => {
    expect(JIT_FLAGS).toContain('--max-inlined-bytecode-size-cumulative=150');
    expect(jitFlagsToApply([], {})).toEqual([...JIT_FLAGS]);
    expect(jitFlagsToApply([], { GROUPCHECK_V8_DEFAULTS: '1' })).toEqual([]);
    expect(jitFlagsToApply([], { GROUPCHECK_V8_DEFAULTS: '' })).toEqual([...JIT_FLAGS]);
  });

  it('leaves a flag given on the command line or in NODE_OPTIONS to the user', () => {
    expect(jitFlagsToApply(['--max-inlined-bytecode-size-cumulative=920'], {})).toEqual([]);
    expect(jitFlagsToApply(['--import', 'tsx'], { NODE_OPTIONS: '--max-old-space-size=4096 --max-inlined-bytecode-size-cumulative=300' })).toEqual([]);
    // A different flag that shares the prefix is not the same flag.
    expect(jitFlagsToApply(['--max-inlined-bytecode-size=100'], {})).toEqual([...JIT_FLAGS]);
  });
});
