// Shared by the mocha tiers (scripts/lib/mocha-tier.js) and the in-host suite (test/suite/index.ts).
'use strict';
const path = require('path');

/** Like Mocha#loadFiles, but a file that throws while loading becomes one failing test
 *  ("loads <file>") instead of aborting the whole run, so the other files still run.
 *  `Mocha` is the mocha module the caller uses; `label(file)` names the file in that test. */
function loadEachFileSafely(mocha, Mocha, label = (f) => path.basename(f)) {
  const { EVENT_FILE_PRE_REQUIRE, EVENT_FILE_REQUIRE, EVENT_FILE_POST_REQUIRE } = Mocha.Suite.constants;
  mocha.loadFiles = function loadFiles(fn) {
    const suite = this.suite;
    for (const file of this.files) {
      const f = path.resolve(file);
      suite.emit(EVENT_FILE_PRE_REQUIRE, global, f, this);
      try {
        suite.emit(EVENT_FILE_REQUIRE, require(f), f, this);
      } catch (err) {
        suite.addTest(new Mocha.Test(`loads ${label(f)}`, () => { throw err; }));
      }
      suite.emit(EVENT_FILE_POST_REQUIRE, global, f, this);
    }
    if (fn) fn();
  };
}

module.exports = { loadEachFileSafely };
