export const WELCOME_TEMPLATE_KEY = 'welcome.template';

/** A new installation greets every new customer with this, until a supervisor edits it. */
export const DEFAULT_WELCOME_TEMPLATE =
  '{{name}}您好，我是{{staffName}}，很高兴为您服务！有任何问题随时找我，新品和专属优惠也会第一时间告诉您～';

/** Fills `{{variable}}` placeholders; unknown variables become empty, never the raw braces. */
export function renderTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) => vars[name] ?? '');
}
