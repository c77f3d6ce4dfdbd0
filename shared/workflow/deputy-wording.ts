/**
 * How a deputy's (代理) decision reads in the history and on the 签发单: the deputy's name, then the name of the person
 * they acted for with 代, as "张副主任（李主任代）". One wording, used by every page and export.
 */
export const deputyWording = (deputyName: string, delegatorName: string): string => `${deputyName}（${delegatorName}代）`;

/** Who decided, as people read it: the approver, or the deputy with the person they acted for. */
export const deciderWording = (decision: {
  readonly approverName: string;
  readonly onBehalfOf?: { readonly name: string } | undefined;
}): string => (decision.onBehalfOf === undefined ? decision.approverName : deputyWording(decision.approverName, decision.onBehalfOf.name));
