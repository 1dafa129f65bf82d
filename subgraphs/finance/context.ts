export interface Context { }
