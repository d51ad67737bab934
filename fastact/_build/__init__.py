"""What the build renders from the catalog: the ufunc specs of the C loops
(codegen.py) and the variant table (variants.py).  setup.py loads
codegen.py by path, before fastact is built; fastact.reference reads the
same specs at run time, to offer the same ufuncs."""
