import { readFileSync } from 'fs';
import { resolve } from 'path';

export interface PanelRow {
	platform: string;
	operation: string;
	fields: string[];
}

/** The README's "The panel of each operation" table: what the editor must show for each operation. */
export function readmePanels(): PanelRow[] {
	const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
	const section = readme.split('### The panel of each operation')[1]?.split('\n###')[0];
	if (!section) throw new Error('README.md has no "### The panel of each operation" section');
	const rows = section
		.split('\n')
		.filter((line) => line.startsWith('| ') && line.includes(' · ') && !line.startsWith('| platform · operation'))
		.map((line) => {
			const [operationCell, fieldsCell] = line.split('|').slice(1, 3).map((cell) => cell.trim());
			const [platform, operation] = operationCell.split(' · ');
			return { platform, operation, fields: fieldsCell.split(', ') };
		});
	if (rows.length === 0) throw new Error('The README panel table has no rows');
	return rows;
}
