// Helpers of scripts/provision-services.sh, on the machine's Node (20) with nothing installed:
//   unbrotli <file.br>              writes the decompressed file to stdout
//   free-port                       prints a free TCP port on 127.0.0.1
//   chromium <binary> <repo>        playwright-core (from <repo>/node_modules) launches the binary with
//                                   the browser tier's flags, loads a page served on 127.0.0.1, clicks,
//                                   takes a screenshot; exit 3 when playwright-core is not installed
//   postgres <pg module> <port>     connects as `postgres` with the `pg` package and runs a query
//   redis <port>                    sends PING over TCP until the server answers PONG (20 s at most)
const { createReadStream } = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const zlib = require('zlib');

const [mode, ...args] = process.argv.slice(2);

function fail(message) {
	console.error(message);
	process.exit(1);
}

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

async function checkChromium(binary, repo) {
	let chromium;
	try {
		({ chromium } = require(path.join(repo, 'node_modules', 'playwright-core')));
	} catch {
		console.error(`playwright-core is not installed in ${repo}/node_modules (run npm ci there)`);
		process.exit(3);
	}
	const page = '<!doctype html><title>provision</title><h1>ready</h1><button onclick="this.textContent=\'clicked\'">click</button>';
	const server = http.createServer((request, response) => {
		response.setHeader('content-type', 'text/html');
		response.end(page);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	// The flags of test/browser/chromium.ts.
	const browser = await chromium.launch({
		executablePath: binary,
		headless: true,
		timeout: 60_000,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});
	try {
		const tab = await browser.newPage();
		await tab.goto(`http://127.0.0.1:${server.address().port}/`, { timeout: 30_000 });
		await tab.click('button', { timeout: 10_000 });
		const text = await tab.textContent('button');
		const png = await tab.screenshot();
		if (text !== 'clicked' || png.length < 1000 || png.readUInt32BE(0) !== 0x89504e47) {
			throw new Error(`the page did not render (button text ${JSON.stringify(text)}, screenshot of ${png.length} bytes)`);
		}
		console.log(`Chromium ${browser.version()} rendered a page, clicked, took a ${png.length}-byte screenshot`);
	} finally {
		await browser.close();
		server.close();
	}
}

async function checkPostgres(pgModule, port) {
	const { Client } = require(pgModule);
	const client = new Client({ host: '127.0.0.1', port: Number(port), user: 'postgres', database: 'postgres' });
	await client.connect();
	const { rows } = await client.query('select version() as version, 6 * 7 as answer');
	await client.end();
	if (rows[0].answer !== 42) throw new Error(`unexpected answer ${rows[0].answer}`);
	console.log(`connected: ${rows[0].version}`);
}

function pingOnce(port) {
	return new Promise((resolve) => {
		const socket = net.connect(Number(port), '127.0.0.1');
		let reply = '';
		socket.setTimeout(2000, () => socket.destroy());
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (data) => {
			reply += data;
			if (reply.includes('\r\n')) socket.end();
		});
		socket.on('close', () => resolve(reply.trim()));
		socket.on('error', () => {});
	});
}

async function checkRedis(port) {
	const deadline = Date.now() + 20_000;
	let reply = '';
	while (Date.now() < deadline) {
		reply = await pingOnce(port);
		if (reply === '+PONG') {
			console.log(`PING -> ${reply}`);
			return;
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	throw new Error(`no PONG from 127.0.0.1:${port} within 20 s (last reply: ${JSON.stringify(reply)})`);
}

async function main() {
	switch (mode) {
		case 'unbrotli':
			createReadStream(args[0])
				.on('error', (error) => fail(error.message))
				.pipe(zlib.createBrotliDecompress())
				.on('error', (error) => fail(`${args[0]}: ${error.message}`))
				.pipe(process.stdout);
			return;
		case 'free-port':
			console.log(await freePort());
			return;
		case 'chromium':
			return await checkChromium(args[0], args[1]);
		case 'postgres':
			return await checkPostgres(args[0], args[1]);
		case 'redis':
			return await checkRedis(args[0]);
		default:
			fail(`unknown mode ${JSON.stringify(mode)}`);
	}
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)));
