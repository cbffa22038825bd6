/** What recap posts and blog crawling need from the store. */
import type { Event, Talk } from '../catalogue/types.ts';
import type { Blog, Post } from './types.ts';
import type { ClaimRequest, LeaseStore, NamedClaim } from '../platform/lease.ts';

export interface PostStore {
  getEvent(id: string): Promise<Event | undefined>;
  findTalk(ref: string): Promise<Talk | undefined>;
  getPost(id: string): Promise<Post | undefined>;
  listPosts(): Promise<Post[]>;
  postsMentioningTalk(talkId: string): Promise<Post[]>;
  /** Insert or replace a post, computed from the current one (undefined when new). Returns what was saved. */
  savePost(id: string, change: (current: Post | undefined) => Post | undefined): Promise<Post | undefined>;
  /** Replace posts whose `change` returns a new version (rescans); one transaction. Returns how many changed. */
  updatePosts(change: (current: Post) => Post | undefined): Promise<number>;
  deletePost(id: string): Promise<boolean>;
}

export interface BlogStore extends LeaseStore {
  getBlog(id: string): Promise<Blog | undefined>;
  listBlogs(): Promise<Blog[]>;
  /** Add a blog; the existing one when its feed URL is already known. */
  addBlog(blog: Blog): Promise<{ blog: Blog; created: boolean }>;
  updateBlog(id: string, change: (current: Blog) => Blog): Promise<Blog | undefined>;
  deleteBlog(id: string): Promise<boolean>;
  /** Lease the blogs due at `req.now` (as `claimDueSources` does for sources). */
  claimDueBlogs(req: ClaimRequest, schedule?: string): Promise<Blog[]>;
  /** Lease these blogs whether due or not; those leased to another instance are `busy`. */
  claimBlogs(ids: readonly string[], req: ClaimRequest): Promise<NamedClaim<Blog>>;
  getPost(id: string): Promise<Post | undefined>;
}
