// What a scaffold did, for the command to print (or emit as JSON).
export interface ScaffoldResult {
  // Absolute target directory (the project, or the manifest's directory for `add`).
  dir: string;
  name: string;
  template: string;
  // Written files, relative to dir.
  files: string[];
  sidecars: string[];
  warnings: string[];
  // What init/add wired and what the user does next, one line each.
  next: string[];
  // init: the file that showed an app was already there (it was adopted, not replaced).
  adopted?: string;
}
