// Anything n8n-core or n8n writes to a user folder goes to a temporary one outside the repository,
// never to a `.n8n/` folder in the clone (it would hold an encryption key and a database).
const { mkdtempSync } = require('fs');
const { tmpdir } = require('os');
const { join } = require('path');

module.exports = async () => {
	if (!process.env.N8N_USER_FOLDER) process.env.N8N_USER_FOLDER = mkdtempSync(join(tmpdir(), 'audience-sync-n8n-'));
};
