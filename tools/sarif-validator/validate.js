// Validates SARIF logs two ways, failing on the first problem of either:
//  1. the SARIF 2.1.0 JSON schema (the copy Microsoft ships with the
//     Multitool), with Ajv in strict-enough mode (enums, formats, minimums);
//  2. Microsoft's SARIF Multitool `validate` with its SARIF and GitHub
//     ("Gh") rule sets: what GitHub code scanning requires of an upload.
// Usage: node validate.js FILE...   Exit 0 valid, 1 invalid, 2 tool error.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const Ajv2020 = require('ajv/dist/2020');
const addFormats = require('ajv-formats');

const multitool = require('@microsoft/sarif-multitool');
const schema = JSON.parse(fs.readFileSync(
	path.join(path.dirname(multitool), 'sarif-2.1.0.json'), 'utf8'));

function schemaErrors(validate, file) {
	let doc;
	try {
		doc = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (e) {
		return [`${file}: not JSON: ${e.message}`];
	}
	if (validate(doc))
		return [];
	return validate.errors.map((e) =>
		`${file}: schema: ${e.instancePath || '/'} ${e.message} ` +
		JSON.stringify(e.params));
}

function multitoolErrors(file) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sarif-validate-'));
	const r = spawnSync(multitool, ['validate', file, '-o',
		path.join(dir, 'out.sarif'), '--log', 'ForceOverwrite',
		'--rule-kind', 'Sarif;Gh'], {
		encoding: 'utf8',
		env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1' },
	});
	fs.rmSync(dir, { recursive: true, force: true });
	if (r.error || r.status !== 0)
		return [`${file}: the Multitool failed to run: ` +
			(r.error ? r.error.message : r.stderr || r.stdout)];
	const lines = (r.stdout || '').split('\n');
	for (const l of lines.filter((l) => /: warning [A-Z]+\d+:/.test(l)))
		console.error(l);
	return lines.filter((l) => /: error [A-Z]+\d+:/.test(l));
}

function main(files) {
	const ajv = new Ajv2020({ allErrors: true, strict: false });
	addFormats(ajv);
	const validate = ajv.compile(schema);
	let bad = 0;
	for (const file of files) {
		const errors = schemaErrors(validate, file).concat(
			multitoolErrors(file));
		for (const e of errors)
			console.error(e);
		if (errors.length)
			bad++;
		else
			console.log(`${file}: valid SARIF 2.1.0`);
	}
	return bad ? 1 : 0;
}

if (process.argv.length < 3) {
	console.error('usage: validate.js FILE...');
	process.exit(2);
}
process.exit(main(process.argv.slice(2)));
