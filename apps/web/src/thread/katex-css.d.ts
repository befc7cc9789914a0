// KaTeX's stylesheet, imported for its effect with the first formula (Vite makes it a stylesheet of its own).
declare module "katex/dist/katex.min.css";
