// The user's file as the TypeScript language service knows it (shared by the page and its worker).
export const USER_PATH = '/playground.ts';
