/**
 * Why a paper was picked, as data plus a sentence. Bots render `text` as is, or build their own
 * wording from the fields.
 */
export type Reason =
  | { kind: 'topic'; topic: string; similarity: number; text: string }
  | { kind: 'seed'; paperId: string; title: string; similarity: number; text: string }
  | { kind: 'liked'; paperId: string; title: string; similarity: number; text: string }
  | { kind: 'learned'; liked: number; titles: string[]; score: number; text: string }
  | { kind: 'author'; author: string; text: string }
  | { kind: 'keyword'; keyword: string; text: string }
  | { kind: 'category'; category: string; text: string }
  | { kind: 'popular'; upvotes: number; text: string }
  | { kind: 'central'; centrality: number; text: string };

const num = (x: number): string => x.toFixed(2);
const short = (s: string, max = 80): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export const reason = {
  topic: (topic: string, similarity: number): Reason => ({
    kind: 'topic',
    topic,
    similarity,
    text: `matches your topic '${topic}' (${num(similarity)})`,
  }),
  seed: (paperId: string, title: string, similarity: number): Reason => ({
    kind: 'seed',
    paperId,
    title,
    similarity,
    text: `more like '${short(title)}', one of your seed papers (${num(similarity)})`,
  }),
  liked: (paperId: string, title: string, similarity: number): Reason => ({
    kind: 'liked',
    paperId,
    title,
    similarity,
    text: `similar to '${short(title)}' that you liked (${num(similarity)})`,
  }),
  /** The learned model's pull, named by the liked papers closest to this one. */
  learned: (liked: number, titles: string[], score: number): Reason => ({
    kind: 'learned',
    liked,
    titles: titles.slice(0, 2),
    score,
    text:
      liked === 1
        ? `like the paper you liked, '${short(titles[0] ?? '', 60)}'`
        : `like the ${liked} papers you liked, such as '${short(titles[0] ?? '', 60)}'`,
  }),
  author: (author: string): Reason => ({ kind: 'author', author, text: `by ${author}, whom you follow` }),
  keyword: (keyword: string): Reason => ({ kind: 'keyword', keyword, text: `mentions '${keyword}'` }),
  category: (category: string): Reason => ({
    kind: 'category',
    category,
    text: `in ${category}, a category you follow`,
  }),
  popular: (upvotes: number): Reason => ({
    kind: 'popular',
    upvotes,
    text: `popular on Hugging Face (${upvotes} upvote${upvotes === 1 ? '' : 's'})`,
  }),
  central: (centrality: number): Reason => ({
    kind: 'central',
    centrality,
    text: `one of the day's most central papers (mean similarity ${num(centrality)} to the others)`,
  }),
};
