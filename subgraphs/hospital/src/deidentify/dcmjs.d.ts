// dcmjs ships no type declarations: the parts this workspace uses (de-identification, test fixtures).
declare module 'dcmjs' {
  /** One element in dcmjs's "dict" form (DICOM JSON-like, keyed by 8-hex-digit tag). */
  export interface DicomElement {
    vr: string;
    Value?: unknown[];
    /** Set by the reader; the writer prefers it when `Value` is unchanged. */
    _rawValue?: unknown;
  }
  export type DicomDataset = Record<string, DicomElement>;

  export interface DicomDictInstance {
    meta: DicomDataset;
    dict: DicomDataset;
    write(options?: { allowInvalidVRLength?: boolean; fragmentMultiframe?: boolean }): ArrayBuffer;
  }

  export interface DictionaryEntry {
    tag: string;
    vr: string;
    vm: string;
    name: string;
    version: string;
  }

  const dcmjs: {
    data: {
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string | null }): DicomDictInstance };
      DicomDict: new (meta: DicomDataset) => DicomDictInstance;
      DicomMetaDictionary: {
        /** Keyed by "(gggg,eeee)". */
        dictionary: Record<string, DictionaryEntry>;
        nameMap: Record<string, DictionaryEntry>;
      };
      datasetToDict(dataset: Record<string, unknown>): DicomDictInstance;
    };
    log: { setLevel(level: string): void };
  };
  export default dcmjs;
}
