// dcmjs ships no type declarations; the tests only use it to write DICOM files.
declare module 'dcmjs';
