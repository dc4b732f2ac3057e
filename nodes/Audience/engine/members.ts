import { typeAttributes } from './attributes';
import { validateAudienceName } from './audienceName';
import { Problem, show } from './messages';
import { readTags } from './tags';
import type { AudienceMember, InvalidItem, MemberAction, MemberInput, SyncRules } from './types';

/** One input that passed validation, with its entry for the API's `ids` (no action in replace mode). */
export interface ValidMember {
	itemIndex: number;
	audience: string;
	member: AudienceMember;
}

export type MemberCheck = ValidMember | InvalidItem;

export function isInvalid(check: MemberCheck): check is InvalidItem {
	return 'message' in check;
}

/** An empty id names the field it came from and what that field gave. */
function missingId(raw: unknown, idField: string | undefined): Problem {
	return new Problem(idField === undefined ? 'missing id' : `missing id: the "${idField}" field gave ${show(raw)}`);
}

function readId(raw: unknown, idField: string | undefined): string | Problem {
	if (typeof raw === 'string') {
		const id = raw.trim();
		return id === '' ? missingId(raw, idField) : id;
	}
	if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : new Problem(`id ${show(raw)} is not a valid id`);
	if (raw === undefined || raw === null) return missingId(raw, idField);
	return new Problem(`id must be text or a number, got ${show(raw)}`);
}

/** The id an input's raw value becomes in a request, or undefined when it is not a valid id. */
export function memberIdOf(raw: unknown): string | undefined {
	const id = readId(raw, undefined);
	return typeof id === 'string' ? id : undefined;
}

function readAction(raw: unknown): MemberAction | undefined {
	if (raw === undefined || raw === 'add') return 'add';
	if (raw === 'remove') return 'remove';
	if (typeof raw !== 'string') return undefined;
	const action = raw.trim().toLowerCase();
	return action === 'add' || action === 'remove' ? action : undefined;
}

/** Returns a function that validates one input; each distinct audience name is checked once. */
export function createMemberValidator(rules: SyncRules): (input: MemberInput) => MemberCheck {
	const audienceErrors = new Map<string, string | null>();

	function audienceError(audience: unknown): string | undefined {
		if (typeof audience !== 'string') return validateAudienceName(audience);
		let error = audienceErrors.get(audience);
		if (error === undefined) {
			error = validateAudienceName(audience) ?? null;
			audienceErrors.set(audience, error);
		}
		return error ?? undefined;
	}

	function check(input: MemberInput): MemberCheck {
		// Allocated only for an invalid input: this runs once per item.
		let errors: string[] | undefined;
		const audienceProblem = audienceError(input.audience);
		if (audienceProblem !== undefined) (errors ??= []).push(audienceProblem);

		const id = readId(input.id, rules.idField);
		if (id instanceof Problem) (errors ??= []).push(id.message);

		// Replace has no action: every member is added.
		const action = rules.mode === 'replace' ? 'add' : readAction(input.action);
		if (action === undefined) (errors ??= []).push(`unknown action ${show(input.action)} (use add or remove)`);

		const typed = typeAttributes(input.attributes);
		if (action === 'remove' && (typed.attributes || typed.errors)) {
			(errors ??= []).push('attributes are only accepted with action add');
		} else if (typed.errors) {
			for (const error of typed.errors) (errors ??= []).push(error);
		}

		const tags = input.tags === undefined ? undefined : readTags(input.tags);
		if (tags !== undefined && !rules.allowTags) (errors ??= []).push('tags are only accepted by the legacy Custom Audience API');
		else if (tags !== undefined && action === 'remove') (errors ??= []).push('tags are only accepted with action add');
		else if (tags instanceof Problem) (errors ??= []).push(tags.message);

		if (errors !== undefined || typeof id !== 'string' || action === undefined || tags instanceof Problem) {
			// One problem per line (see describeInvalidItem).
			const invalid: InvalidItem = { itemIndex: input.itemIndex, message: (errors ?? []).join('\n') };
			if (typeof id === 'string') invalid.id = id;
			return invalid;
		}
		const member: AudienceMember = rules.mode === 'replace' ? { id } : { action, id };
		if (typed.attributes) member.attributes = typed.attributes;
		if (tags) member.tags = tags;
		return { itemIndex: input.itemIndex, audience: (input.audience as string).trim(), member };
	}

	return (input) => {
		try {
			return check(input);
		} catch (error) {
			// Values with throwing getters or conversions must not abort the whole plan.
			return { itemIndex: input.itemIndex, message: `could not be read: ${(error as Error)?.message ?? String(error)}` };
		}
	};
}
