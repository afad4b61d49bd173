declare module 's-expression' {
  const parse: (source: string) => unknown;
  export default parse;
}
